package demo

import "strings"

// The names students are drawn from. Spanish names keep their accents (the
// generator drops them for some students, as some extracts do); surnames
// with particles are single entries; apostrophes are part of the name.

var hispanicSurnames = list(`
García, Hernández, Martínez, López, González, Rodríguez, Pérez, Sánchez, Ramírez, Cruz,
Flores, Gómez, Morales, Vázquez, Reyes, Jiménez, Torres, Díaz, Gutiérrez, Ruiz,
Mendoza, Aguilar, Ortiz, Moreno, Castillo, Romero, Álvarez, Méndez, Chávez, Rivera,
Juárez, Ramos, Domínguez, Herrera, Medina, Castro, Vargas, Guzmán, Velázquez, Muñoz,
Rojas, Contreras, Salazar, Luna, Ortega, Santiago, Guerrero, Estrada, Bautista, Cortés,
Soto, Alvarado, Espinoza, Lara, Ávila, Ríos, Cervantes, Silva, Delgado, Vega,
Márquez, Sandoval, Fernández, León, Carrillo, Mejía, Solís, Núñez, Rosales, Valdez,
Campos, Maldonado, Acosta, Peña, Cabrera, Navarro, Fuentes, Rangel, Ibarra, Santos,
Cárdenas, Padilla, Trujillo, Zamora, Miranda, Escobar, Ochoa, Pacheco, Quintero, Galván,
Benítez, Villarreal, Orozco, Barrera, Sosa, Velasco, Cisneros, Tapia, Arellano, Beltrán,
Robles, Zúñiga, Calderón, Montoya, Villanueva, Duarte, Molina, Salinas, Serrano, Hidalgo,
Bravo, Pineda, Osorio, Cano, Quiñones, Espinosa, Ibáñez, Montes, Paredes, Ayala,
De La Cruz, De León, del Río, De Jesús, de la Rosa, Del Valle, De los Santos, de la Torre`)

// Mayan surnames of Guatemalan families, common among farmworkers.
var mayanSurnames = list(`Tzul, Xol, Caal, Choc, Pop, Ical, Cux, Tojín, Coc, Cuc, Ajú, Tiul, Chub, Maquín`)

var hispanicFemale = list(`
María, Guadalupe, Ana, Sofía, Valeria, Camila, Ximena, Daniela, Fernanda, Jimena,
Andrea, Alejandra, Gabriela, Mariana, Paola, Itzel, Yesenia, Juana, Rosa, Lucía,
Isabella, Natalia, Brenda, Karla, Leticia, Marisol, Yaretzi, Dulce, Araceli, Estrella,
Jazmín, Mía, Renata, Abril, Victoria, Esmeralda, Josefina, Beatriz, Inés, Mónica,
Verónica, Noemí, Belén, Anahí, Citlali, Zoé, Dayana, Génesis, Nayeli, Rocío,
Sara, Wendy, Adriana, Elena, Carmen, Teresa, Alondra, Yareli, Melany, Aylin`)

var hispanicMale = list(`
José, Juan, Luis, Carlos, Jesús, Miguel, Ángel, Jorge, Antonio, Francisco,
Alejandro, Diego, Santiago, Mateo, Sebastián, Matías, Emiliano, Leonardo, Daniel, David,
Fernando, Ricardo, Eduardo, Javier, Manuel, Pedro, Raúl, Rubén, Héctor, Óscar,
Adrián, Iván, Joaquín, Julián, Andrés, Tomás, Martín, Gael, Cristian, Brayan,
Kevin, Erick, Jonathan, Alexis, Uriel, Efraín, Ramón, Germán, Nicolás, Elías,
Josué, Moisés, Ismael, Rogelio, Gerardo, Alonso, Isaac, Jaime, Marco, Saúl`)

// Given names of two words, as clerks receive them.
var hispanicCompoundFemale = list(`María José, María Fernanda, Ana Sofía, María Guadalupe, Ana Lucía, María de los Ángeles`)
var hispanicCompoundMale = list(`Juan Carlos, José Luis, Luis Ángel, Juan Pablo, José Manuel, Miguel Ángel`)

var englishSurnames = list(`
Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor,
Thomas, Moore, Martin, Jackson, Thompson, White, Harris, Clark, Lewis, Robinson,
Walker, Young, Allen, King, Wright, Scott, Hill, Green, Adams, Baker,
Nelson, Carter, Mitchell, Roberts, Turner, Phillips, Campbell, Parker, Evans, Edwards,
Collins, Stewart, Morris, Murphy, Cook, Rogers, Morgan, Cooper, Peterson, Bailey,
Reed, Kelly, Howard, Cox, Ward, Richardson, Watson, Brooks, Wood, James,
Bennett, Gray, Hughes, Price, Sanders, Myers, Long, Ross, Foster, Powell,
Jenkins, Perry, Russell, Sullivan, Bell, Coleman, Butler, Henderson, Barnes, Fisher,
Henry, Graham, Hamilton, Wallace, Cole, West, Jordan, Owens, Reynolds, Ellis,
Harrison, Gibson, McDonald, Marshall, Wells, Simpson, Stevens, Tucker, Porter, Hunter,
Hicks, Crawford, Boyd, Mason, Warren, Dixon, Burns, Gordon, Shaw, Holmes,
Rice, Robertson, Hunt, Black, Daniels, Palmer, Mills, Grant, Knight, Ferguson,
Stone, Hawkins, Dunn, Perkins, Hudson, Spencer, Gardner, Stephens, Payne, Pierce,
Berry, Matthews, Arnold, Wagner, Willis, Ray, Watkins, Olson, Carroll, Duncan,
Snyder, Hart, Cunningham, Bradley, Lane, Andrews, Harper, Fox, Riley, Armstrong,
Carpenter, Weaver, Greene, Lawrence, Elliott, Sims, Austin, Franklin, Lawson, Fields,
Burke, Hale, McCoy, Caudill, Combs, Sizemore, Napier, Hatfield, Slone, Stamper,
Blevins, Mullins, Osborne, Gilbert, Spurlock, Jacobs, Howell, Washington, Freeman, Banks,
O'Neil, O'Brien, O'Connor, O'Bannon, D'Angelo, McKenzie, St. John, Van Meter, MacLeod, D'Souza`)

var englishFemale = list(`
Emma, Olivia, Ava, Sophia, Abigail, Madison, Harper, Evelyn, Addison, Emily,
Elizabeth, Avery, Ella, Scarlett, Grace, Chloe, Lily, Hannah, Aubrey, Zoey,
Brooklyn, Savannah, Kaylee, Peyton, Allison, Taylor, Brianna, Makayla, Destiny, Jasmine,
Aaliyah, Kennedy, Jada, Imani, Layla, Nevaeh, Paisley, Kinsley, Riley, Sarah,
Jessica, Ashley, Megan, Haley, Lauren, Rachel, Anna, Caroline, Mary, Katherine,
Ruby, Khloe, Mackenzie, Bailey, Amber, Jordyn, Skylar, Zoe, Mia, Ja'Nya`)

var englishMale = list(`
Liam, Noah, William, James, Benjamin, Mason, Elijah, Logan, Jacob, Michael,
Ethan, Alexander, Aiden, Jackson, Carter, Wyatt, Grayson, Hunter, Landon, Caleb,
Owen, Tyler, Brandon, Austin, Dylan, Jayden, Jaxon, Cameron, Isaiah, Jeremiah,
Malik, Darius, Jalen, DeShawn, Tre'Von, Christopher, Matthew, Joshua, Andrew, Ryan,
Nathan, Zachary, Cody, Bradley, Colton, Bentley, Brantley, Easton, Hudson, Thomas,
John, Robert, Samuel, Levi, Gavin, Chase, Jace, Ja'Kobe, D'Andre, Kaden`)

var vietnameseSurnames = list(`Nguyen, Tran, Le, Pham, Hoang, Huynh, Phan, Vu, Vo, Dang, Bui, Do, Ho, Ngo, Duong, Ly`)
var vietnameseFemale = list(`Linh, Thao, Trang, Mai, Ngoc, Huong, Anh, Vy, Nhi, Thuy, Lan, Hanh`)
var vietnameseMale = list(`Minh, Huy, Khang, Bao, Tuan, Duc, Long, Phuc, Quang, Thanh, Khoa, Nam`)

var somaliSurnames = list(`Mohamed, Ali, Hassan, Abdi, Ahmed, Hussein, Farah, Omar, Warsame, Abdullahi, Yusuf, Ibrahim, Jama, Osman, Aden`)
var somaliFemale = list(`Fadumo, Hodan, Amina, Sahra, Ayaan, Hawa, Asha, Ifrah, Ikran, Nasra, Sagal, Deeqa`)
var somaliMale = list(`Abdirahman, Mohamed, Ahmed, Abdullahi, Hassan, Omar, Yusuf, Bashir, Liban, Mahad, Abdiaziz, Hamza`)

var arabicSurnames = list(`Al-Hassan, Haddad, Khalil, Nasser, Saleh, Aziz, Mansour, Al-Jubouri, Al-Obaidi, Hamdan, Abboud, Al-Sayed, Darwish, Youssef`)
var arabicFemale = list(`Noor, Fatima, Mariam, Zainab, Rania, Hiba, Yasmin, Layan, Sama, Hala`)
var arabicMale = list(`Omar, Ali, Ahmad, Mustafa, Karim, Hamza, Yousef, Khaled, Mohammed, Ibrahim`)

var chineseSurnames = list(`Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Lin, Xu`)
var chineseFemale = list(`Mei, Xin, Yan, Jing, Lin, Yue, Xiaoling, Hui`)
var chineseMale = list(`Wei, Jun, Hao, Lei, Jian, Yifan, Zihan, Bo`)

var nepaliSurnames = list(`Gurung, Rai, Subedi, Adhikari, Tamang, Magar, Sharma, Chhetri, Dahal, Bhattarai, Patel, Shah`)
var nepaliFemale = list(`Priya, Anjali, Sita, Gita, Puja, Sabina, Asmita, Dil Maya`)
var nepaliMale = list(`Arjun, Rohan, Bishal, Suraj, Krishna, Bikash, Dil Bahadur, Santosh`)

var congoleseSurnames = list(`Mukendi, Ilunga, Kasongo, Mbuyi, Tshibangu, Ngoy, Kalala, Mutombo, Banza, Nshimirimana, Niyonzima`)
var congoleseFemale = list(`Grâce, Esther, Ruth, Furaha, Neema, Amani, Espérance, Rachel, Bahati`)
var congoleseMale = list(`Jean-Paul, Emmanuel, Patrick, Baraka, Jean-Claude, Christian, Dieudonné, Aimé, Fiston`)

var bosnianSurnames = list(`Hodžić, Begović, Hadžić, Delić, Mehmedović, Kovačević, Jukić, Sarić, Husić, Omerović, Mujić, Čolić`)
var bosnianFemale = list(`Amra, Lejla, Selma, Emina, Ajla, Merima, Dženana, Amina`)
var bosnianMale = list(`Emir, Adnan, Haris, Amir, Tarik, Kenan, Edin, Đorđe`)

var marshalleseSurnames = list(`Langidrik, Jibas, Kabua, Lakjohn, Lokeijak, Anjain, Laelang, Jorbon`)
var marshalleseFemale = list(`Lijon, Nerita, Jema, Liwaj, Bwiro, Tina`)
var marshalleseMale = list(`Jiton, Kenton, Alson, Tanner, Hemos, Wilbur`)

var burmeseSurnames = list(`Htoo, Moo, Paw, Lah, Thang, Sang, Lian, Mang, Cung, Hnin`)
var burmeseFemale = list(`Hser Nay, Eh Moo, Say Paw, Nu Nu, Cing, Par Tha`)
var burmeseMale = list(`Eh Soe, Saw Ler, Ba Htoo, Kyaw, Thang Za, Hre`)

// Names of the people who use the app: staff, not students.
var staffFirst = list(`Karen, Daniel, Lucía, Tom, Angela, Marcus, Beatriz, Greg, Sheila, Ramón, Denise, Hector, Julie, Wanda, Kim, Omar`)
var staffLast = list(`Mitchell, Whitaker, Morales, Nguyen, Brooks, Ellison, Fuentes, Hale, Caudill, Ybarra, Tackett, Ochoa, Reinhardt, Lockhart, Sorensen, Farah`)

// list splits a comma-separated list written across lines.
func list(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
